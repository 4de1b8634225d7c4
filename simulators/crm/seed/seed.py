"""Seeds the crm environment (Tryton 6.0) with Kestrel Systems through Tryton's own models (proteus).

Run once at image build time, as the tryton user, after the modules are activated (seed.sh).
"""
import datetime
from decimal import Decimal

from proteus import Model, Wizard, config

config.set_trytond('tryton', config_file='/etc/tryton/trytond.conf')
cfg = config.get_config()

D = Decimal
Country = Model.get('country.country')
Currency = Model.get('currency.currency')
Party = Model.get('party.party')
Company = Model.get('company.company')
Employee = Model.get('company.employee')
User = Model.get('res.user')
Group = Model.get('res.group')
Uom = Model.get('product.uom')
Template = Model.get('product.template')
Opportunity = Model.get('sale.opportunity')
Sale = Model.get('sale.sale')
RelationType = Model.get('party.relation.type')
Relation = Model.get('party.relation.all')

# Countries and the currency (Debian's trytond has no pycountry import: the ones we use).
COUNTRIES = {
    'PT': 'Portugal', 'DE': 'Germany', 'FI': 'Finland', 'GB': 'United Kingdom', 'NO': 'Norway',
    'ES': 'Spain', 'CH': 'Switzerland', 'LT': 'Lithuania', 'FR': 'France', 'NL': 'Netherlands',
    'PL': 'Poland', 'HU': 'Hungary', 'IE': 'Ireland', 'SE': 'Sweden',
}
country = {}
for code, name in COUNTRIES.items():
    c = Country(name=name, code=code)
    c.save()
    country[code] = c
eur = Currency(name='Euro', code='EUR', symbol='€', rounding=D('0.01'), digits=2)
eur.save()


def address(party, street, postal_code, city, code):
    a = party.addresses[0] if party.addresses else party.addresses.new()
    a.street = street
    a.postal_code = postal_code
    a.city = city
    a.country = country[code]


def mechanisms(party, email=None, phone=None, mobile=None, website=None):
    for kind, value in (('email', email), ('phone', phone), ('mobile', mobile), ('website', website)):
        if value:
            party.contact_mechanisms.new(type=kind, value=value)


# The company itself.
kestrel = Party(name='Kestrel Systems')
address(kestrel, 'Avenida da Liberdade 200', '1250-147', 'Lisboa', 'PT')
mechanisms(kestrel, email='sales@kestrel.example', phone='+351 21 555 0100', website='https://kestrel.example')
kestrel.save()
company = Company(party=kestrel, currency=eur)
company.save()

admin = User(1)
admin.companies.append(company)
admin.company = company
admin.email = 'admin@kestrel.example'
admin.save()
cfg._context = User.get_preferences(True, {})

# Staff: a person party, an employee of Kestrel Systems and a user each.
STAFF = [
    ('alice', 'Alice Moreau', 'Engineering lead', ['Product Administration']),
    ('bob', 'Bob Okafor', 'Developer', []),
    ('carol', 'Carol Lindqvist', 'Support lead', ['Party Administration']),
    ('dana', 'Dana Whitfield', 'Account manager', ['Sales', 'Sales Administrator', 'Sale Opportunity', 'Party Administration']),
    ('erik', 'Erik Nilsson', 'Support and sales engineer', ['Sales', 'Sale Opportunity', 'Party Administration']),
]
groups = {g.name: g for g in Group.find([])}
print('groups:', sorted(groups))
employee = {}
for login, name, title, group_names in STAFF:
    person = Party(name=name)
    address(person, 'Avenida da Liberdade 200', '1250-147', 'Lisboa', 'PT')
    mechanisms(person, email=f'{login}@kestrel.example')
    person.save()
    e = Employee(party=person, company=company)
    e.save()
    employee[login] = e
    user = User(name=name, login=login, password=f'{login}-password', email=f'{login}@kestrel.example')
    user.companies.append(Company(company.id))
    user.company = Company(company.id)
    user.employees.append(Employee(e.id))
    user.employee = Employee(e.id)
    for g in group_names:
        if g in groups:
            user.groups.append(Group(groups[g].id))
        else:
            print('no group', g)
    user.save()

employee_of = RelationType(name='Employee of')
employee_of.save()
employer = RelationType(name='Employer', reverse=employee_of)
employer.save()
employee_of.reverse = employer
employee_of.save()

# Customers and prospects: (company, street, postal code, city, country, phone, website, contacts);
# a contact is (name, email, phone, function).
COMPANIES = [
    ('Acme Logistics GmbH', 'Lindenstraße 44', '10969', 'Berlin', 'DE', '+49 30 5557 2100',
     'https://acme-logistics.example', [
         ('Priya Shah', 'priya.shah@acme-logistics.example', '+49 30 5557 2144', 'Operations manager'),
         ('Thomas Weber', 'thomas.weber@acme-logistics.example', '+49 30 5557 2101', 'CFO')]),
    ('Bluewater Freight AG', 'Am Sandtorkai 5', '20457', 'Hamburg', 'DE', '+49 40 5558 3300',
     'https://bluewater-freight.example', [
         ('Jonas Berg', 'jonas.berg@bluewater-freight.example', '+49 40 5558 3312', 'Finance'),
         ('Anna Schmidt', 'anna.schmidt@bluewater-freight.example', '+49 40 5558 3320', 'Head of operations')]),
    ('Polar Foods Oy', 'Mannerheimintie 20', '00100', 'Helsinki', 'FI', '+358 9 5550 4400',
     'https://polarfoods.example', [
         ('Mikko Virtanen', 'mikko.virtanen@polarfoods.example', '+358 40 555 4411', 'Logistics director')]),
    ('Northwind Traders Ltd', '12 Deansgate', 'M3 2BW', 'Manchester', 'GB', '+44 161 555 0120',
     'https://northwind.example', [
         ('Oliver Grant', 'oliver.grant@northwind.example', '+44 161 555 0123', 'Fleet manager'),
         ('Emma Clarke', 'emma.clarke@northwind.example', '+44 161 555 0131', 'Procurement')]),
    ('Redline Haulage Lda', 'Rua de Santa Catarina 310', '4000-443', 'Porto', 'PT', '+351 22 555 0310',
     'https://redline-haulage.example', [
         ('Sofia Costa', 'sofia.costa@redline-haulage.example', '+351 91 555 0311', 'Dispatch manager')]),
    ('Fjord Couriers AS', 'Karl Johans gate 7', '0154', 'Oslo', 'NO', '+47 22 55 50 70',
     'https://fjordcouriers.example', [
         ('Lars Haugen', 'lars.haugen@fjordcouriers.example', '+47 915 55 071', 'Managing director'),
         ('Ingrid Solberg', 'ingrid.solberg@fjordcouriers.example', '+47 915 55 078', 'IT manager')]),
    ('Sunrise Deliveries SL', 'Calle de Alcalá 90', '28009', 'Madrid', 'ES', '+34 91 555 0900',
     'https://sunrise-deliveries.example', [
         ('Elena Ruiz', 'elena.ruiz@sunrise-deliveries.example', '+34 655 550 901', 'Operations director')]),
    ('Alpine Transport AG', 'Bahnhofstrasse 45', '8001', 'Zürich', 'CH', '+41 44 555 4500',
     'https://alpine-transport.example', [
         ('Nina Keller', 'nina.keller@alpine-transport.example', '+41 79 555 4512', 'Head of logistics')]),
    ('Baltic Cargo UAB', 'Gedimino pr. 9', '01103', 'Vilnius', 'LT', '+370 5 255 0900',
     'https://baltic-cargo.example', [
         ('Tomas Kazlauskas', 'tomas.kazlauskas@baltic-cargo.example', '+370 612 55 091', 'CEO')]),
    ('Rhône Express SARL', '15 Rue de la République', '69002', 'Lyon', 'FR', '+33 4 55 50 15 00',
     'https://rhone-express.example', [
         ('Claire Dubois', 'claire.dubois@rhone-express.example', '+33 6 55 50 15 02', 'Operations manager')]),
    ('Tulip Parcel BV', 'Damrak 70', '1012 LM', 'Amsterdam', 'NL', '+31 20 555 7000',
     'https://tulip-parcel.example', [
         ('Daan de Vries', 'daan.devries@tulip-parcel.example', '+31 6 5555 7012', 'Fleet manager')]),
    ('Vistula Logistics Sp. z o.o.', 'ul. Marszałkowska 100', '00-026', 'Warszawa', 'PL', '+48 22 555 1000',
     'https://vistula-logistics.example', [
         ('Katarzyna Nowak', 'katarzyna.nowak@vistula-logistics.example', '+48 601 555 100', 'Purchasing manager')]),
    ('Danube Movers Kft', 'Andrássy út 12', '1061', 'Budapest', 'HU', '+36 1 555 1200',
     'https://danube-movers.example', [
         ('Gábor Szabó', 'gabor.szabo@danube-movers.example', '+36 30 555 1201', 'Managing director')]),
    ('Iberia Last Mile SA', 'Avenida da República 50', '1050-196', 'Lisboa', 'PT', '+351 21 555 0500',
     'https://iberia-lastmile.example', [
         ('Rui Almeida', 'rui.almeida@iberia-lastmile.example', '+351 93 555 0501', 'COO')]),
    ('Celtic Freight Ltd', '25 Grafton Street', 'D02 VK11', 'Dublin', 'IE', '+353 1 555 2500',
     'https://celtic-freight.example', [
         ('Aoife Murphy', 'aoife.murphy@celtic-freight.example', '+353 87 555 2502', 'Transport manager')]),
]
party = {}
for name, street, pc, city, code, phone, web, contacts in COMPANIES:
    p = Party(name=name)
    address(p, street, pc, city, code)
    mechanisms(p, phone=phone, website=web)
    p.save()
    party[name] = p
    for cname, email, cphone, function in contacts:
        c = Party(name=cname)
        address(c, street, pc, city, code)
        mechanisms(c, email=email, phone=cphone)
        c.save()
        party[cname] = c
        Relation(from_=c, to=p, type=employee_of).save()

# A minimal chart of accounts (Tryton's own template) and the revenue account of the products'
# category: a sale line needs them for its taxes.
# (What trytond.modules.account.tests.tools.create_chart does, without importing the test suite.)
AccountTemplate = Model.get('account.account.template')
Account = Model.get('account.account')
ModelData = Model.get('ir.model.data')
data, = ModelData.find([('module', '=', 'account'), ('fs_id', '=', 'account_template_root_en')], limit=1)
chart = Wizard('account.create_chart')
chart.execute('account')
chart.form.account_template = AccountTemplate(data.db_id)
chart.form.company = company
chart.execute('create_account')


def account_of(kind):
    return Account.find([('type.%s' % kind, '=', True), ('company', '=', company.id)], limit=1)[0]


chart.form.account_receivable = account_of('receivable')
chart.form.account_payable = account_of('payable')
chart.execute('create_properties')
revenue = account_of('revenue')
Category = Model.get('product.category')
category = Category(name='Software and services', accounting=True, account_revenue=revenue)
category.save()

# The price list: services sold per month (licences per vehicle or driver), one-off workshops.
unit = Uom.find([('name', '=', 'Unit')])[0]
PRODUCTS = [
    ('DSP-STD', 'Dispatch Standard licence', D('30'), 'Routing platform and REST API, per vehicle and month'),
    ('DSP-PRO', 'Dispatch Pro licence', D('45'), 'Dispatch with route optimiser and webhooks, per vehicle and month'),
    ('MOB-DRV', 'Mobile driver licence', D('12'), 'Kestrel Mobile driver app, per driver and month'),
    ('PORTAL', 'Customer Portal', D('500'), 'Customer Portal for shippers, per month'),
    ('WS-ONB', 'Onboarding workshop', D('1800'), 'Two-day onboarding workshop on site'),
    ('SUP-PREM', 'Premium support', D('900'), 'Premium support with 4-hour response, per month'),
]
product = {}
for code, name, price, description in PRODUCTS:
    t = Template(name=name, type='service', default_uom=unit, list_price=price, salable=True,
                 account_category=category)
    if 'code' in Template._fields:
        t.code = code
    if 'description' in Template._fields:
        t.description = description
    t.sale_uom = unit
    t.save()
    p = t.products[0]
    if 'code' not in Template._fields:
        p.code = code
        p.save()
    product[code] = p

# Opportunities: (description, party, contact, owner, state, start date, probability, amount,
# lines as (product code, quantity), comment).
d = datetime.date
OPPORTUNITIES = [
    ('Acme fleet expansion', 'Acme Logistics GmbH', 'Priya Shah', 'dana', 'opportunity', d(2025, 3, 3), 60,
     D('4320'), [('MOB-DRV', 30)], 'Acme adds 30 vans in Berlin-Brandenburg; driver app for every new driver.'),
    ('Acme route optimiser upgrade', 'Acme Logistics GmbH', 'Thomas Weber', 'erik', 'lead', d(2025, 3, 18), 20,
     D('10800'), [('DSP-PRO', 60)], 'Move the 60 vehicles from Standard to Pro for the optimiser.'),
    ('Bluewater Dispatch rollout', 'Bluewater Freight AG', 'Anna Schmidt', 'dana', 'won', d(2024, 10, 7), 100,
     D('25200'), [('DSP-STD', 70), ('WS-ONB', 1)], 'Signed in January; 70 trucks on Dispatch Standard.'),
    ('Bluewater premium support', 'Bluewater Freight AG', 'Jonas Berg', 'dana', 'opportunity', d(2025, 2, 20), 50,
     D('10800'), [('SUP-PREM', 12)], 'Finance wants a yearly premium support contract.'),
    ('Polar Foods cold-chain pilot', 'Polar Foods Oy', 'Mikko Virtanen', 'erik', 'converted', d(2025, 1, 13), 80,
     D('6480'), [('DSP-PRO', 12), ('MOB-DRV', 15)], 'Pilot with 12 refrigerated trucks in Uusimaa.'),
    ('Polar Foods customer portal', 'Polar Foods Oy', 'Mikko Virtanen', 'dana', 'lead', d(2025, 3, 25), 10,
     D('6000'), [('PORTAL', 12)], 'Asked about a tracking page for their retail customers.'),
    ('Northwind Customer Portal', 'Northwind Traders Ltd', 'Emma Clarke', 'dana', 'won', d(2024, 9, 2), 100,
     D('6000'), [('PORTAL', 12)], 'Portal live since November 2024.'),
    ('Northwind onboarding workshop', 'Northwind Traders Ltd', 'Oliver Grant', 'erik', 'lost', d(2024, 11, 4), 0,
     D('1800'), [('WS-ONB', 1)], 'They trained their dispatchers themselves.'),
    ('Redline Dispatch Pro', 'Redline Haulage Lda', 'Sofia Costa', 'dana', 'converted', d(2025, 2, 3), 75,
     D('21600'), [('DSP-PRO', 40)], 'Porto and Lisbon depots, 40 trucks.'),
    ('Redline driver app', 'Redline Haulage Lda', 'Sofia Costa', 'erik', 'opportunity', d(2025, 3, 10), 40,
     D('6912'), [('MOB-DRV', 48)], 'Comes after the Dispatch Pro rollout.'),
    ('Fjord Couriers winter routing', 'Fjord Couriers AS', 'Lars Haugen', 'erik', 'opportunity', d(2025, 2, 11), 55,
     D('9720'), [('DSP-STD', 27)], 'Winter road closures: they want dynamic re-routing.'),
    ('Fjord Couriers onboarding', 'Fjord Couriers AS', 'Ingrid Solberg', 'erik', 'won', d(2024, 8, 19), 100,
     D('3600'), [('WS-ONB', 2)], 'Two workshops, Oslo and Bergen.'),
    ('Sunrise Deliveries Madrid launch', 'Sunrise Deliveries SL', 'Elena Ruiz', 'dana', 'opportunity',
     d(2025, 3, 5), 45, D('17280'), [('DSP-STD', 40), ('MOB-DRV', 20)], 'New Madrid hub opening in June.'),
    ('Sunrise Deliveries portal', 'Sunrise Deliveries SL', 'Elena Ruiz', 'dana', 'cancelled', d(2024, 12, 2), 0,
     D('6000'), [('PORTAL', 12)], 'Put on hold by their IT department.'),
    ('Alpine Transport evaluation', 'Alpine Transport AG', 'Nina Keller', 'erik', 'lead', d(2025, 3, 20), 15,
     D('16200'), [('DSP-PRO', 30)], 'Met at the Transport Logistic fair.'),
    ('Alpine Transport mountain routes', 'Alpine Transport AG', 'Nina Keller', 'erik', 'lost', d(2024, 10, 21), 0,
     D('8100'), [('DSP-PRO', 15)], 'Chose a local vendor.'),
    ('Baltic Cargo Dispatch', 'Baltic Cargo UAB', 'Tomas Kazlauskas', 'dana', 'opportunity', d(2025, 2, 27), 35,
     D('18000'), [('DSP-STD', 50)], 'Fleet of 50 trucks between Vilnius and Riga.'),
    ('Baltic Cargo premium support', 'Baltic Cargo UAB', 'Tomas Kazlauskas', 'dana', 'lead', d(2025, 3, 27), 10,
     D('10800'), [('SUP-PREM', 12)], ''),
    ('Rhône Express trial', 'Rhône Express SARL', 'Claire Dubois', 'erik', 'opportunity', d(2025, 1, 29), 30,
     D('4320'), [('DSP-STD', 12)], 'Three-month trial with 12 vans in Lyon.'),
    ('Rhône Express driver app', 'Rhône Express SARL', 'Claire Dubois', 'erik', 'cancelled', d(2024, 11, 18), 0,
     D('1728'), [('MOB-DRV', 12)], 'Merged into the trial.'),
    ('Tulip Parcel last-mile', 'Tulip Parcel BV', 'Daan de Vries', 'dana', 'converted', d(2025, 1, 20), 85,
     D('32400'), [('DSP-PRO', 50), ('WS-ONB', 1)], 'Amsterdam and Rotterdam.'),
    ('Tulip Parcel portal', 'Tulip Parcel BV', 'Daan de Vries', 'dana', 'won', d(2024, 7, 8), 100,
     D('6000'), [('PORTAL', 12)], ''),
    ('Vistula Logistics fleet', 'Vistula Logistics Sp. z o.o.', 'Katarzyna Nowak', 'erik', 'lead', d(2025, 3, 12),
     20, D('28800'), [('DSP-STD', 80)], 'Tender published; answer due end of April.'),
    ('Vistula Logistics drivers', 'Vistula Logistics Sp. z o.o.', 'Katarzyna Nowak', 'erik', 'lost',
     d(2024, 9, 16), 0, D('11520'), [('MOB-DRV', 80)], 'Price too high for them.'),
    ('Danube Movers Dispatch', 'Danube Movers Kft', 'Gábor Szabó', 'dana', 'opportunity', d(2025, 2, 6), 50,
     D('7200'), [('DSP-STD', 20)], ''),
    ('Danube Movers onboarding', 'Danube Movers Kft', 'Gábor Szabó', 'carol', 'lead', d(2025, 3, 24), 25,
     D('1800'), [('WS-ONB', 1)], 'Asked support about training.'),
    ('Iberia Last Mile pilot', 'Iberia Last Mile SA', 'Rui Almeida', 'dana', 'won', d(2024, 6, 3), 100,
     D('10800'), [('DSP-PRO', 20)], ''),
    ('Iberia Last Mile expansion', 'Iberia Last Mile SA', 'Rui Almeida', 'dana', 'opportunity', d(2025, 3, 14), 65,
     D('22320'), [('DSP-PRO', 30), ('MOB-DRV', 40)], 'Lisbon, Setúbal and Faro.'),
    ('Celtic Freight Dispatch', 'Celtic Freight Ltd', 'Aoife Murphy', 'erik', 'lead', d(2025, 3, 31), 15,
     D('10800'), [('DSP-STD', 30)], 'Inbound lead from the website.'),
    ('Celtic Freight support', 'Celtic Freight Ltd', 'Aoife Murphy', 'carol', 'cancelled', d(2024, 12, 9), 0,
     D('5400'), [('SUP-PREM', 6)], 'Duplicate of the Dispatch lead.'),
]
has_contact = 'contact' in Opportunity._fields

for desc, pname, contact, owner, state, start, prob, amount, lines, comment in OPPORTUNITIES:
    o = Opportunity(description=desc, party=party[pname], employee=employee[owner], start_date=start,
                    conversion_probability=prob / 100, amount=amount, comment=comment or None)
    o.address = party[pname].addresses[0]
    if has_contact:
        email = [m for m in party[contact].contact_mechanisms if m.type == 'email']
        if email:
            o.contact = email[0]
    for code, qty in lines:
        line = o.lines.new(product=product[code])
        line.quantity = qty
    o.save()
    if state == 'lead':
        continue
    if state == 'cancelled':
        o.click('cancel')
        continue
    o.click('opportunity')
    if state == 'lost':
        o.click('lost')
    elif state in ('converted', 'won'):
        o.click('convert')
        o.reload()
        if state == 'won':
            for sale in o.sales:
                sale.click('quote')
                sale.click('confirm')
            o.reload()
            if o.state != 'won':
                print('not won after the sale was confirmed:', desc, o.state, [s.state for s in o.sales])

# Quotations sent outside of opportunities.
for pname, lines, desc in [
    ('Fjord Couriers AS', [('SUP-PREM', 12)], 'Premium support renewal 2025'),
    ('Acme Logistics GmbH', [('WS-ONB', 1)], 'Refresher workshop for new dispatchers'),
]:
    s = Sale(party=party[pname], description=desc)
    for code, qty in lines:
        line = s.lines.new(product=product[code])
        line.quantity = qty
    s.save()
    s.click('quote')
s = Sale(party=party['Celtic Freight Ltd'], description='Dispatch Standard, 30 vehicles (draft)')
line = s.lines.new(product=product['DSP-STD'])
line.quantity = 30
s.save()
print('seeded', len(party), 'customer parties,', len(OPPORTUNITIES), 'opportunities')

# The admin's first login would open Tryton's module configuration wizard: the company, chart of
# accounts and users are configured above, so its steps are done.
ConfigItem = Model.get('ir.module.config_wizard.item')
for item in ConfigItem.find([('state', '!=', 'done')]):
    item.state = 'done'
    item.save()
